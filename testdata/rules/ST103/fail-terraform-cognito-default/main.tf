# No `email_configuration`: Cognito's own mailer sends the sign-up codes, 50 a day.
provider "aws" {
  region = "eu-west-1"
}

resource "aws_cognito_user_pool" "pool" {
  name                     = "users"
  auto_verified_attributes = ["email"]
  username_attributes      = ["email"]
}
