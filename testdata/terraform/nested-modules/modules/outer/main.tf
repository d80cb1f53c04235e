variable "domain" {
  type = string
}

module "inner" {
  source = "../inner"
  name   = "inner"
  arn    = "arn:aws:ses:us-west-2:111111111111:identity/${var.domain}"
}

output "identity_arn" {
  value = "arn:aws:ses:us-east-1:111111111111:identity/${var.domain}"
}
