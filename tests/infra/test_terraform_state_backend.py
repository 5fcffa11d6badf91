"""The S3 remote-state example: encrypted, versioned, private, TLS-only, locked, nothing account-specific committed."""

from __future__ import annotations

from hcl_loader import TERRAFORM_DIR, load_module, resources

EXAMPLE = TERRAFORM_DIR / "examples" / "s3-backend"


def test_backend_is_s3_with_encryption_and_no_committed_bucket() -> None:
    tf = load_module(EXAMPLE)
    backend = tf["terraform"][0]["backend"][0]["s3"]
    assert backend["encrypt"] is True
    assert "smartcloudops/terraform.tfstate" == backend["key"]
    assert backend["use_lockfile"] is True
    assert "bucket" not in backend
    assert "dynamodb_table" not in backend


def test_backend_tf_holds_only_the_backend_block() -> None:
    """Copied beside a configuration with its own versions.tf, it must not repeat required_providers."""
    tf = {kind: blocks for kind, blocks in load_module(EXAMPLE).items() if kind != "__comments__"}

    assert ["terraform"] == list(tf)
    assert [["backend"]] == [[k for k in block if k != "__comments__"] for block in tf["terraform"]]


def test_bootstrap_bucket_is_versioned_private_and_kms_encrypted() -> None:
    found = resources(load_module(EXAMPLE / "bootstrap"))
    versioning = found[("aws_s3_bucket_versioning", "this")]["versioning_configuration"][0]
    assert "Enabled" == versioning["status"]
    block = found[("aws_s3_bucket_public_access_block", "this")]
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    sse = found[("aws_s3_bucket_server_side_encryption_configuration", "this")]["rule"][0]
    assert "aws:kms" == sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
    assert found[("aws_kms_key", "this")]["enable_key_rotation"] is True


def test_bootstrap_bucket_refuses_plain_http() -> None:
    bootstrap = load_module(EXAMPLE / "bootstrap")
    policy = resources(bootstrap)[("aws_s3_bucket_policy", "this")]
    statement = resources(bootstrap, "data")[("aws_iam_policy_document", "bucket")]["statement"][0]

    assert "${data.aws_iam_policy_document.bucket.json}" == policy["policy"]
    assert "Deny" == statement["effect"]
    assert ["s3:*"] == statement["actions"]
    assert [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}] == statement["condition"]
