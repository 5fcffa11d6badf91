"""The S3 + DynamoDB remote-state example: encrypted, versioned, private, locked, nothing account-specific committed."""

from __future__ import annotations

from hcl_loader import TERRAFORM_DIR, load_module, resources

EXAMPLE = TERRAFORM_DIR / "examples" / "s3-backend"


def test_backend_is_s3_with_encryption_and_no_committed_bucket() -> None:
    tf = load_module(EXAMPLE)
    backend = tf["terraform"][0]["backend"][0]["s3"]
    assert backend["encrypt"] is True
    assert "smartcloudops/terraform.tfstate" == backend["key"]
    assert "bucket" not in backend
    assert "dynamodb_table" not in backend


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


def test_lock_table_has_the_lock_id_key_and_is_encrypted() -> None:
    table = resources(load_module(EXAMPLE / "bootstrap"))[("aws_dynamodb_table", "lock")]
    assert "LockID" == table["hash_key"]
    assert [{"name": "LockID", "type": "S"}] == table["attribute"]
    assert table["server_side_encryption"][0]["enabled"] is True
    assert table["point_in_time_recovery"][0]["enabled"] is True
