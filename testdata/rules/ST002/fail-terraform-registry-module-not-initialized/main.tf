# A registry module is read from .terraform/modules after `terraform init`; without it the
# pool it may create is not analyzed, and that is said, not passed over.
provider "aws" {
  region = "eu-west-1"
}

module "cognito" {
  source  = "lgallard/cognito-user-pool/aws"
  version = "0.24.0"

  user_pool_name = "users"
}

resource "aws_cognito_user_pool" "admins" {
  name = "admins"

  admin_create_user_config {
    allow_admin_create_user_only = true
  }
}
