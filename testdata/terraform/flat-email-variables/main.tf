# The community module's other shape: flat `email_*` variables, no `email_configuration` map.
provider "aws" {
  region = "eu-west-1"
}

module "cognito" {
  source                = "./modules/cognito"
  user_pool_name        = "users"
  email_sending_account = "DEVELOPER"
  email_source_arn      = "arn:aws:ses:eu-west-1:111111111111:identity/example.com"
  email_from_address    = "noreply@example.com"
}
