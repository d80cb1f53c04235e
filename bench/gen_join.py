#!/usr/bin/env python3
"""N stacks, each with one user pool and one SES identity, every pool mailing through the
identity of the next stack: the shape where the join compares every sender with every
identity. Usage: gen_join.py N OUT_DIR"""
import pathlib
import sys

n, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for i in range(n):
    other = (i + 1) % n
    (out / f"stack{i:05}.yaml").write_text(f"""Metadata: {{sandtrap: {{region: us-west-2}}}}
Resources:
  Identity:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: app{i}.example.com
  Pool:
    Type: AWS::Cognito::UserPool
    Properties:
      AdminCreateUserConfig: {{AllowAdminCreateUserOnly: true}}
      EmailConfiguration:
        EmailSendingAccount: DEVELOPER
        From: no-reply@app{other}.example.com
        SourceArn: arn:aws:ses:us-west-2:123456789012:identity/app{other}.example.com
""")
