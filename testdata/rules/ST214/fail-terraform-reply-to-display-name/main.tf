provider "aws" {
  region = "eu-west-1"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account  = "COGNITO_DEFAULT"
    reply_to_email_address = "Support <support@example.com>"
  }
}
