provider "aws" {
  region = "eu-west-1"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    from_email_address    = "noreply@example.com"
  }
}
