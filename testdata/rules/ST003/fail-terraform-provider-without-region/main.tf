# The provider has no region (it would come from the environment at apply time), and the
# ARN uses the provider's own region: the region checks are skipped, and that is said.
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
