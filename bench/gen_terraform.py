#!/usr/bin/env python3
"""Writes COUNT synthetic Terraform roots under OUT, deterministically.

Usage: gen_terraform.py COUNT OUT

The Terraform counterpart of gen_monorepo.py, for measuring the Terraform front end against the
same count of CloudFormation templates: each root is a directory of its own with one `main.tf`
(a provider, variables, locals and resources of the same shapes: S3 + Lambda, DynamoDB, SQS/SNS,
VPC networking), spread over nested directories. One root in eight has a Cognito user pool; some
of those send through SES in the wrong region or without a source ARN.
"""
import os
import random
import sys

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-south-1"]


def header(rng, name, region):
    return f'''provider "aws" {{
  region = "{region}"
}}

variable "env" {{
  type    = string
  default = "dev"
}}

variable "domain" {{
  type    = string
  default = "{name}.example.com"
}}

locals {{
  prefix = "{name}-${{var.env}}"
  team   = "{rng.choice(['team-a', 'team-b', 'platform', 'payments'])}"
  tags   = {{ env = var.env, team = local.team }}
}}
'''


def bucket_lambda(i):
    return f'''
resource "aws_s3_bucket" "data{i}" {{
  bucket = "${{local.prefix}}-data-{i}"
  tags   = local.tags
}}

resource "aws_iam_role" "fn{i}" {{
  name = "${{local.prefix}}-fn-{i}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "lambda.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

resource "aws_lambda_function" "fn{i}" {{
  function_name = "${{local.prefix}}-fn-{i}"
  role          = aws_iam_role.fn{i}.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "fn.zip"
  environment {{
    variables = {{ BUCKET = aws_s3_bucket.data{i}.bucket }}
  }}
}}
'''


def table_queue(i):
    return f'''
resource "aws_dynamodb_table" "items{i}" {{
  name         = "${{local.prefix}}-items-{i}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {{
    name = "pk"
    type = "S"
  }}
}}

resource "aws_sqs_queue" "work{i}" {{
  name                       = "${{local.prefix}}-work-{i}"
  visibility_timeout_seconds = 60
}}

resource "aws_sns_topic" "events{i}" {{
  name = "${{local.prefix}}-events-{i}"
}}

resource "aws_sns_topic_subscription" "work{i}" {{
  topic_arn = aws_sns_topic.events{i}.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.work{i}.arn
}}
'''


def network(i):
    return f'''
resource "aws_vpc" "main{i}" {{
  cidr_block = "10.{i}.0.0/16"
  tags       = local.tags
}}

resource "aws_subnet" "private{i}" {{
  count      = 2
  vpc_id     = aws_vpc.main{i}.id
  cidr_block = cidrsubnet(aws_vpc.main{i}.cidr_block, 8, count.index)
}}

resource "aws_security_group" "app{i}" {{
  name   = "${{local.prefix}}-app-{i}"
  vpc_id = aws_vpc.main{i}.id
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}
}}
'''


def cognito(rng, region):
    kind = rng.choice(["cognito", "ok", "no-arn", "wrong-region"])
    if kind == "cognito":
        email = '    email_sending_account = "COGNITO_DEFAULT"\n'
    else:
        ses_region = region if kind != "wrong-region" else "ap-south-1"
        email = (
            '    email_sending_account = "DEVELOPER"\n'
            '    from_email_address    = "no-reply@${var.domain}"\n'
        )
        if kind != "no-arn":
            email += (
                f'    source_arn            = "arn:aws:ses:{ses_region}:111111111111:'
                'identity/${var.domain}"\n'
            )
    return f'''
resource "aws_sesv2_email_identity" "domain" {{
  email_identity = var.domain
}}

resource "aws_cognito_user_pool" "users" {{
  name = "${{local.prefix}}-users"
  email_configuration {{
{email}  }}
}}

resource "aws_cognito_user_pool_client" "web" {{
  name         = "web"
  user_pool_id = aws_cognito_user_pool.users.id
}}
'''


def root(rng, n):
    name = f"svc{n:05d}"
    region = rng.choice(REGIONS)
    text = header(rng, name, region)
    shapes = [bucket_lambda, table_queue, network]
    for i in range(rng.randint(1, 3)):
        text += rng.choice(shapes)(i)
    if n % 8 == 0:
        text += cognito(rng, region)
    text += f'''
output "prefix" {{
  value = local.prefix
}}
'''
    return text


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    count, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(26)
    teams = ["identity", "payments", "platform", "search", "growth"]
    for n in range(count):
        team = teams[n % len(teams)]
        directory = os.path.join(out, team, f"service-{n // 25:04d}", f"root-{n:05d}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "main.tf"), "w") as f:
            f.write(root(rng, n))


if __name__ == "__main__":
    main()
