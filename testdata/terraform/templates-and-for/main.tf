# Template directives, heredocs, `for` expressions and conditionals over known values.
variable "use_ses" {
  type    = bool
  default = true
}

provider "aws" {
  region = "eu-central-1"
}

locals {
  names   = [for n in ["alpha", "beta"] : upper(n) if n != "gamma"]
  by_name = { for n in local.names : lower(n) => "${lower(n)}.example.com" }
  from    = <<-EOT
    %{if var.use_ses}team%{else}nobody%{endif}@${local.by_name["alpha"]}
  EOT
}

resource "aws_cognito_user_pool" "pool" {
  name = "pool"

  email_configuration {
    email_sending_account = var.use_ses ? "DEVELOPER" : "COGNITO_DEFAULT"
    source_arn            = "arn:aws:ses:eu-central-1:111111111111:identity/${local.by_name["alpha"]}"
    from_email_address    = trimspace(local.from)
  }
}
