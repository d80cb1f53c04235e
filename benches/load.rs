//! Loading throughput (MB/s) for YAML and JSON templates shaped like real ones: many resources,
//! short-form tags, nested intrinsics, some non-ASCII text; and the edge shapes that were once
//! slow. Numbers go in docs/performance.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sandtrap::load::{self, Format};

/// A YAML template with `n` resources of the kinds real templates mix.
fn yaml_template(n: usize) -> String {
    let mut out = String::from(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: Benchmark — 負荷試験\nParameters:\n  Env:\n    Type: String\n    Default: prod\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n",
    );
    for i in 0..n {
        out.push_str(&format!(
            "  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"${{AWS::StackName}}-bucket-{i}\"\n      Tags:\n        - Key: env\n          Value: !Ref Env\n  Function{i}:\n    Type: AWS::Lambda::Function\n    Condition: IsProd\n    Properties:\n      Role: !GetAtt Role.Arn\n      Runtime: python3.12\n      Handler: index.handler\n      Code:\n        ZipFile: |\n          def handler(event, context):\n              return {{\"ok\": True}}\n      Environment:\n        Variables:\n          BUCKET: !Ref Bucket{i}\n          ARN: !Join [\"\", [\"arn:\", !Ref \"AWS::Partition\", \":s3:::\", !Ref Bucket{i}]]\n"
        ));
    }
    out
}

/// The same shape in CDK-style JSON (long-form intrinsics).
fn json_template(n: usize) -> String {
    let mut resources = Vec::new();
    for i in 0..n {
        resources.push(format!(
            r#""Bucket{i}": {{"Type": "AWS::S3::Bucket", "Properties": {{"BucketName": {{"Fn::Sub": "${{AWS::StackName}}-bucket-{i}"}}, "Tags": [{{"Key": "env", "Value": {{"Ref": "Env"}}}}]}}, "Metadata": {{"aws:cdk:path": "Stack/Bucket{i}/Resource"}}}},
  "Function{i}": {{"Type": "AWS::Lambda::Function", "Condition": "IsProd", "Properties": {{"Role": {{"Fn::GetAtt": ["Role", "Arn"]}}, "Runtime": "python3.12", "Handler": "index.handler", "Environment": {{"Variables": {{"BUCKET": {{"Ref": "Bucket{i}"}}, "ARN": {{"Fn::Join": ["", ["arn:", {{"Ref": "AWS::Partition"}}, ":s3:::", {{"Ref": "Bucket{i}"}}]]}}}}}}}}}}"#
        ));
    }
    format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Description\": \"Benchmark — 負荷試験\",\n \"Parameters\": {{\"Env\": {{\"Type\": \"String\", \"Default\": \"prod\"}}}},\n \"Resources\": {{\n  {}\n }}\n}}\n",
        resources.join(",\n  ")
    )
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    for (name, text, format) in [
        ("yaml_1MB", yaml_template(1_400), Format::Yaml),
        ("json_1MB", json_template(2_000), Format::Json),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| load::load(&text, format)));
    }
    group.finish();

    // Shapes that were once slow: a flat mapping of 200,000 keys (duplicate detection must stay
    // linear) and 100,000 levels of nesting (refused at the depth bound, not walked).
    let mut edge = c.benchmark_group("edge");
    edge.sample_size(10);
    let many_keys: String = (0..200_000).map(|i| format!("Key{i}: {i}\n")).collect();
    edge.bench_function("many_keys", |b| {
        b.iter(|| load::load(&many_keys, Format::Yaml))
    });
    let deep = format!(
        "Resources: {{}}\nMetadata: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    edge.bench_function("deep_nesting", |b| {
        b.iter(|| load::load(&deep, Format::Yaml))
    });
    edge.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
