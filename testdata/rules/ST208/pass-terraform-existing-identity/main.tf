# The identity already exists (a data source): nothing is created with the pool.
provider "aws" {
  region = "eu-west-1"
}

data "aws_ses_domain_identity" "mail" {
  domain = "example.com"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = data.aws_ses_domain_identity.mail.arn
    from_email_address    = "noreply@example.com"
  }
}
