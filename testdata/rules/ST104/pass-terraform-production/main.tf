provider "aws" {
  region = "us-west-2"
}

resource "aws_cognito_user_pool" "pool" {
  name                     = "users"
  auto_verified_attributes = ["email"]
  username_attributes      = ["email"]

  lambda_config {
    post_confirmation = aws_lambda_function.welcome.arn
  }
}
