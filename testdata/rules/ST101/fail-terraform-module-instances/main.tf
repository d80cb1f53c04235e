# Two instances of one module, both through the `aws.west` provider: one finding for the
# module's pool, with the value the caller passed shown where it was written.
provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

module "auth" {
  source   = "./modules/pool"
  for_each = toset(["prod", "staging"])
  providers = {
    aws = aws.west
  }
  name       = "users-${each.key}"
  source_arn = "arn:aws:ses:us-west-2:111111111111:identity/example.com"
}
