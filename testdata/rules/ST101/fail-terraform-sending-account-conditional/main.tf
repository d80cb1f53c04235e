# Production sends through SES, other environments through Cognito: with `env` unknown, the
# DEVELOPER branch is judged under its condition.
variable "env" {
  type = string
}

provider "aws" {
  region = "us-west-2"
}

resource "aws_cognito_user_pool" "pool" {
  name                     = "users"
  auto_verified_attributes = ["email"]

  email_configuration {
    email_sending_account = var.env == "prod" ? "DEVELOPER" : "COGNITO_DEFAULT"
    source_arn            = "arn:aws:ses:us-west-2:111111111111:identity/example.com"
  }
}
