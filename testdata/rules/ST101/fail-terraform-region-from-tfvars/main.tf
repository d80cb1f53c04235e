# The provider's region is `var.region`, whose default terraform.tfvars overrides: the pool is
# in eu-west-1, and its SES identity ARN is built from the provider's region and account.
variable "region" {
  type    = string
  default = "us-east-1"
}

provider "aws" {
  region = var.region
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

resource "aws_cognito_user_pool" "pool" {
  name                     = "users"
  auto_verified_attributes = ["email"]

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:identity/example.com"
    from_email_address    = "noreply@example.com"
  }
}
