locals {
  email_configuration_default = {
    email_sending_account = var.email_sending_account
    source_arn            = var.email_source_arn
    from_email_address    = var.email_from_address
  }

  email_configuration = length(var.email_configuration) == 0 ? [local.email_configuration_default] : [{
    email_sending_account = try(var.email_configuration.email_sending_account, var.email_sending_account)
    source_arn            = try(var.email_configuration.source_arn, var.email_source_arn)
    from_email_address    = try(var.email_configuration.from_email_address, var.email_from_address)
  }]
}

resource "aws_cognito_user_pool" "pool" {
  name                     = var.user_pool_name
  auto_verified_attributes = ["email"]

  dynamic "email_configuration" {
    for_each = local.email_configuration
    content {
      email_sending_account = lookup(email_configuration.value, "email_sending_account")
      source_arn            = lookup(email_configuration.value, "source_arn")
      from_email_address    = lookup(email_configuration.value, "from_email_address")
    }
  }
}
