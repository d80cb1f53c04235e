# The identity ARN is a variable nobody set: what to pass is said at the value.
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
