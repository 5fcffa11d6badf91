# SecureString parameters the bot (and Ansible) read at start-up. Terraform creates them
# with a placeholder and never sees the real values: operators set those out of band with
#   aws ssm put-parameter --overwrite --type SecureString --name <name> --value <secret>
# and ignore_changes keeps Terraform from resetting them.

resource "aws_ssm_parameter" "secrets" {
  for_each = var.secret_names

  name        = "${local.ssm_path}${each.key}"
  description = "${var.name} ${var.environment}: ${each.key} (set out of band)"
  type        = "SecureString"
  key_id      = aws_kms_key.this.arn
  value       = "placeholder-set-out-of-band"

  tags = local.tags

  lifecycle {
    ignore_changes = [value]
  }
}
