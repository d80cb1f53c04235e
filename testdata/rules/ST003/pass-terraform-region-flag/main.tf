# The same configuration with the region given on the command line.
provider "aws" {}

data "aws_region" "current" {}

resource "aws_cognito_user_pool" "pool" {
  name                     = "users"
  auto_verified_attributes = ["email"]

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:${data.aws_region.current.name}:111111111111:identity/example.com"
  }
}
