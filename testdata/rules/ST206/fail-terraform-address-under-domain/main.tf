# The domain is declared, and the pool names an address under it: Cognito checks the exact
# identity.
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
    source_arn            = "arn:aws:ses:eu-west-1:111111111111:identity/noreply@example.com"
  }
}
