# The identity and the pool are created by the same apply: the address is still pending
# verification (nobody has clicked the link yet) when Cognito checks it.
provider "aws" {
  region = "eu-west-1"
}

resource "aws_ses_email_identity" "default" {
  email = "noreply@example.com"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = aws_ses_email_identity.default.arn
    from_email_address    = "noreply@example.com"
  }
}
