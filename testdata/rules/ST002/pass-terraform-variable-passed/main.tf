# The same configuration with the variable passed on the command line.
variable "ses_identity_arn" {
  type = string
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_cognito_user_pool" "pool" {
  name = "users"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = var.ses_identity_arn
  }
}
