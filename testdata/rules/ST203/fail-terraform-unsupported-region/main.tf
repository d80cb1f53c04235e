# Cognito in eu-central-1 may use SES only in eu-central-1 or eu-west-1.
provider "aws" {
  region = "eu-central-1"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:ap-southeast-2:111111111111:identity/example.com"
  }
}
