provider "aws" {
  region = "eu-west-1"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    # sandtrap: ignore[ST999] a code that does not exist
    source_arn = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
  }
}
