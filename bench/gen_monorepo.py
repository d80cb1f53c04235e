#!/usr/bin/env python3
"""Writes a synthetic monorepo of COUNT CloudFormation templates under OUT, deterministically.

Usage: gen_monorepo.py COUNT OUT

Services of a few shapes (S3 + Lambda, DynamoDB + API, SQS/SNS workers, VPC networking, ECS
services, Cognito user pools with and without SES) in YAML with short-form tags and in JSON,
spread over nested directories like a real repository. One template in eight has a Cognito
pool; some of those send through SES in the wrong region or without a SourceArn.
"""
import json
import os
import random
import sys

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-south-1"]


def header(rng, name):
    return [
        "AWSTemplateFormatVersion: '2010-09-09'",
        f"Description: {name} service ({rng.choice(['team-a', 'team-b', 'platform', 'payments'])})",
        "Parameters:",
        "  Env:",
        "    Type: String",
        "    AllowedValues: [dev, staging, prod]",
        "    Default: dev",
        "  Domain:",
        "    Type: String",
        f"    Default: {name}.example.com",
        "Conditions:",
        "  IsProd: !Equals [!Ref Env, prod]",
        "Resources:",
    ]


def bucket_lambda(rng, i):
    return [
        f"  Bucket{i}:",
        "    Type: AWS::S3::Bucket",
        "    Properties:",
        "      BucketName: !Sub '${AWS::StackName}-data-${Env}-" + str(i) + "'",
        "      VersioningConfiguration: {Status: Enabled}",
        "      BucketEncryption:",
        "        ServerSideEncryptionConfiguration:",
        "          - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms}",
        "      Tags:",
        "        - {Key: env, Value: !Ref Env}",
        f"  Role{i}:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        "      AssumeRolePolicyDocument:",
        "        Version: '2012-10-17'",
        "        Statement:",
        "          - Effect: Allow",
        "            Principal: {Service: lambda.amazonaws.com}",
        "            Action: sts:AssumeRole",
        "      Policies:",
        "        - PolicyName: read",
        "          PolicyDocument:",
        "            Statement:",
        "              - Effect: Allow",
        "                Action: ['s3:GetObject', 's3:ListBucket']",
        f"                Resource: [!GetAtt Bucket{i}.Arn, !Sub '${{Bucket{i}.Arn}}/*']",
        f"  Function{i}:",
        "    Type: AWS::Lambda::Function",
        "    Properties:",
        f"      Runtime: {rng.choice(['python3.12', 'nodejs20.x', 'java21'])}",
        "      Handler: index.handler",
        f"      Role: !GetAtt Role{i}.Arn",
        f"      MemorySize: !If [IsProd, {rng.choice([512, 1024])}, 256]",
        "      Environment:",
        "        Variables:",
        f"          BUCKET: !Ref Bucket{i}",
        "          STAGE: !Ref Env",
        "      Code:",
        "        ZipFile: |",
        "          import os",
        "          def handler(event, context):",
        "              return {'bucket': os.environ['BUCKET'], 'n': len(event)}",
    ]


def table_api(rng, i):
    return [
        f"  Table{i}:",
        "    Type: AWS::DynamoDB::Table",
        "    Properties:",
        "      BillingMode: PAY_PER_REQUEST",
        "      AttributeDefinitions:",
        "        - {AttributeName: pk, AttributeType: S}",
        "        - {AttributeName: sk, AttributeType: S}",
        "      KeySchema:",
        "        - {AttributeName: pk, KeyType: HASH}",
        "        - {AttributeName: sk, KeyType: RANGE}",
        "      PointInTimeRecoverySpecification:",
        "        PointInTimeRecoveryEnabled: !If [IsProd, true, false]",
        f"  Api{i}:",
        "    Type: AWS::ApiGateway::RestApi",
        "    Properties:",
        "      Name: !Join ['-', [!Ref 'AWS::StackName', api, " + str(i) + "]]",
        "      EndpointConfiguration: {Types: [REGIONAL]}",
        f"  Resource{i}:",
        "    Type: AWS::ApiGateway::Resource",
        "    Properties:",
        f"      RestApiId: !Ref Api{i}",
        f"      ParentId: !GetAtt Api{i}.RootResourceId",
        "      PathPart: items",
    ]


def queue_topic(rng, i):
    return [
        f"  Dlq{i}:",
        "    Type: AWS::SQS::Queue",
        "    Properties:",
        "      MessageRetentionPeriod: 1209600",
        f"  Queue{i}:",
        "    Type: AWS::SQS::Queue",
        "    Properties:",
        f"      VisibilityTimeout: {rng.choice([30, 60, 300])}",
        "      RedrivePolicy:",
        f"        deadLetterTargetArn: !GetAtt Dlq{i}.Arn",
        "        maxReceiveCount: 5",
        f"  Topic{i}:",
        "    Type: AWS::SNS::Topic",
        "    Properties:",
        "      Subscription:",
        f"        - Endpoint: !GetAtt Queue{i}.Arn",
        "          Protocol: sqs",
        "      KmsMasterKeyId: alias/aws/sns",
    ]


def network(rng, i):
    octet = rng.randrange(0, 250)
    return [
        f"  Vpc{i}:",
        "    Type: AWS::EC2::VPC",
        "    Properties:",
        f"      CidrBlock: 10.{octet}.0.0/16",
        "      EnableDnsHostnames: true",
        f"  Subnet{i}:",
        "    Type: AWS::EC2::Subnet",
        "    Properties:",
        f"      VpcId: !Ref Vpc{i}",
        f"      CidrBlock: !Select [0, !Cidr [10.{octet}.0.0/16, 4, 8]]",
        "      AvailabilityZone: !Select [0, !GetAZs '']",
        f"  Sg{i}:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      GroupDescription: service ingress",
        f"      VpcId: !Ref Vpc{i}",
        "      SecurityGroupIngress:",
        "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}",
    ]


def cognito(rng, i, region):
    kind = rng.choice(["cognito", "ok", "no-arn", "wrong-region", "param"])
    lines = [
        f"  Pool{i}:",
        "    Type: AWS::Cognito::UserPool",
        "    Properties:",
        "      UserPoolName: !Sub '${AWS::StackName}-users'",
        "      AutoVerifiedAttributes: [email]",
        "      UsernameAttributes: [email]",
    ]
    if kind == "cognito":
        lines += ["      EmailConfiguration:", "        EmailSendingAccount: COGNITO_DEFAULT"]
    else:
        ses_region = region if kind != "wrong-region" else "ap-south-1"
        lines += [
            "      EmailConfiguration:",
            "        EmailSendingAccount: !If [IsProd, DEVELOPER, DEVELOPER]"
            if kind == "param" else "        EmailSendingAccount: DEVELOPER",
            "        From: !Sub 'no-reply@${Domain}'",
        ]
        if kind != "no-arn":
            lines.append(
                f"        SourceArn: !Sub 'arn:aws:ses:{ses_region}:${{AWS::AccountId}}:identity/${{Domain}}'"
            )
        lines += [
            f"  Identity{i}:",
            "    Type: AWS::SES::EmailIdentity",
            "    Properties:",
            "      EmailIdentity: !Ref Domain",
        ]
    lines += [
        f"  Client{i}:",
        "    Type: AWS::Cognito::UserPoolClient",
        "    Properties:",
        f"      UserPoolId: !Ref Pool{i}",
        "      GenerateSecret: false",
    ]
    return lines


def outputs(rng, name):
    return [
        "Outputs:",
        "  StackName:",
        "    Value: !Ref AWS::StackName",
        "    Export:",
        f"      Name: !Sub '${{AWS::StackName}}-{name}'",
    ]


BUILDERS = [bucket_lambda, table_api, queue_topic, network]


def template(rng, n):
    name = f"svc{n}"
    region = rng.choice(REGIONS)
    lines = header(rng, name)
    for i in range(rng.randrange(1, 4)):
        lines += rng.choice(BUILDERS)(rng, i)
    if n % 8 == 0:
        lines += cognito(rng, 0, region)
    lines += outputs(rng, name)
    lines.insert(1, f"Metadata: {{sandtrap: {{region: {region}}}}}")
    return "\n".join(lines) + "\n"


def to_json(text):
    """A JSON rendering of a generated template, through a small reader of the subset above.

    Short-form tags are kept as their long forms; the YAML above is simple enough for PyYAML
    when it is present, and without it the template stays YAML.
    """
    try:
        import yaml  # noqa: PLC0415
    except ImportError:
        return None

    class Loader(yaml.SafeLoader):
        pass

    def construct(loader, suffix, node):
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    Loader.add_multi_constructor("!", construct)
    return json.dumps(yaml.load(text, Loader=Loader), indent=2) + "\n"


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20240601 + count)
    teams = ["payments", "identity", "search", "platform", "data", "mobile", "web", "ml"]
    for n in range(count):
        text = template(rng, n)
        team = teams[n % len(teams)]
        directory = os.path.join(out, team, f"service-{n // 25:04d}", "infra")
        os.makedirs(directory, exist_ok=True)
        as_json = to_json(text) if n % 5 == 0 else None
        name = f"stack-{n:05d}." + ("json" if as_json else "yaml")
        with open(os.path.join(directory, name), "w") as f:
            f.write(as_json or text)
    print(f"wrote {count} templates to {out}")


if __name__ == "__main__":
    main()
