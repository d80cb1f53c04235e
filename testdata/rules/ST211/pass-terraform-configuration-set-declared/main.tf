provider "aws" {
  region = "eu-west-1"
}

resource "aws_sesv2_configuration_set" "transactional" {
  configuration_set_name = "transactional"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
    configuration_set     = aws_sesv2_configuration_set.transactional.configuration_set_name
  }
}
