provider "aws" {
  region = "us-west-2"
}

resource "aws_cognito_user_pool" "pool" {
  name                     = "users"
  auto_verified_attributes = ["email"]

  email_configuration {
    email_sending_account = "DEVELOPER"
    # sandtrap: ignore[ST101,ST207] testers' addresses are verified in SES
    source_arn = "arn:aws:ses:us-west-2:111111111111:identity/example.com"
  }
}
