# Pools made with `count`, their values built with the functions real configurations use.
variable "domain" {
  type    = string
  default = " Example.COM "
}

variable "teams" {
  type    = list(string)
  default = ["Blue", "Green"]
}

provider "aws" {
  region = "eu-west-1"
}

locals {
  domain   = lower(trimspace(var.domain))
  accounts = { eu-west-1 = "111111111111", us-east-1 = "222222222222" }
  settings = merge({ sending = "COGNITO_DEFAULT" }, { sending = "DEVELOPER" })
  senders  = concat(["noreply"], split(",", "alerts,ops"))
}

resource "aws_cognito_user_pool" "team" {
  count = length(var.teams)
  name  = "pool-${lower(element(var.teams, count.index))}"

  email_configuration {
    email_sending_account = local.settings.sending
    source_arn            = format("arn:aws:ses:%s:%s:identity/%s", "eu-west-1", lookup(local.accounts, "eu-west-1"), local.domain)
    from_email_address    = "${element(local.senders, count.index)}@${replace(local.domain, "example", "mail.example")}"
  }
}

resource "aws_cognito_user_pool" "one" {
  name = "one"

  email_configuration {
    email_sending_account = one([for s in ["DEVELOPER"] : s])
    source_arn            = join(":", ["arn", "aws", "ses", "eu-west-1", tostring(111111111111), "identity/${local.domain}"])
    from_email_address    = coalesce("", "Team ${upper(substr(local.domain, 0, 1))} <team@${local.domain}>")
  }
}
