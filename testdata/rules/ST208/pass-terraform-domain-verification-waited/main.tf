# The pool names the identity through its verification, which the apply waits for: the domain
# is verified when the pool is created.
provider "aws" {
  region = "eu-west-1"
}

resource "aws_ses_domain_identity" "mail" {
  domain = "example.com"
}

resource "aws_ses_domain_identity_verification" "mail" {
  domain = aws_ses_domain_identity.mail.domain
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = aws_ses_domain_identity_verification.mail.arn
    from_email_address    = "noreply@example.com"
  }
}
