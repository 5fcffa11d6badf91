################################################################################
# Monitoring host
################################################################################

resource "aws_instance" "this" {
  #checkov:skip=CKV_AWS_88:The monitoring host lives in a public subnet (no NAT in this layout); its security group admits only the admin CIDR and the VPC.
  ami                    = data.aws_ssm_parameter.ami["monitoring"].value
  instance_type          = var.monitoring_instance_type
  subnet_id              = aws_subnet.public[0].id
  vpc_security_group_ids = [aws_security_group.monitoring.id]
  iam_instance_profile   = aws_iam_instance_profile.monitoring.name
  key_name               = var.key_name
  ebs_optimized          = true
  monitoring             = true

  user_data_replace_on_change = false
  user_data = templatefile("${path.module}/templates/user_data.sh.tftpl", {
    region        = local.region
    install_app   = false
    app_log_group = aws_cloudwatch_log_group.app.name
  })

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    volume_type           = "gp3"
    volume_size           = var.root_volume_size
    encrypted             = true
    delete_on_termination = true
    tags                  = merge(local.tags, { Name = "${var.name}-monitoring" })
  }

  tags = merge(local.tags, {
    Name = "${var.name}-monitoring"
    Role = "monitoring"
  })

  lifecycle {
    # A newer AMI in the public parameter must not replace the host that holds Prometheus data.
    ignore_changes = [ami]
  }
}

################################################################################
# App fleet
################################################################################

resource "aws_launch_template" "this" {
  name_prefix   = "${var.name}-app-"
  description   = "SmartCloudOps app fleet"
  image_id      = data.aws_ssm_parameter.ami["app"].value
  instance_type = var.app_instance_type
  key_name      = var.key_name
  ebs_optimized = true

  vpc_security_group_ids = [aws_security_group.app.id]

  iam_instance_profile {
    arn = aws_iam_instance_profile.app.arn
  }

  user_data = base64encode(templatefile("${path.module}/templates/user_data.sh.tftpl", {
    region        = local.region
    install_app   = true
    app_log_group = aws_cloudwatch_log_group.app.name
  }))

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = true
  }

  tag_specifications {
    resource_type = "instance"
    tags = merge(local.tags, {
      Name                      = "${var.name}-app"
      Role                      = "app"
      (local.fleet_tag_key)     = var.name
      "prometheus.io/node-port" = "9100"
    })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.tags, { Name = "${var.name}-app" })
  }

  tags = merge(local.tags, { Name = "${var.name}-app" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_autoscaling_group" "this" {
  #checkov:skip=CKV2_AWS_15:There is no load balancer in this module; instance health comes from EC2 status checks and the bot's own alerts.
  name                      = "${var.name}-app"
  min_size                  = var.app_min_size
  max_size                  = var.app_max_size
  desired_capacity          = var.app_desired_capacity
  vpc_zone_identifier       = aws_subnet.public[*].id
  health_check_type         = "EC2"
  health_check_grace_period = 300
  default_instance_warmup   = 120
  termination_policies      = ["OldestLaunchTemplate", "OldestInstance"]

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 50
    }
  }

  dynamic "tag" {
    for_each = merge(local.tags, { Name = "${var.name}-app" })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # The bot changes desired capacity at run time (autoscaling:SetDesiredCapacity); do not undo it.
    ignore_changes = [desired_capacity]

    precondition {
      condition     = var.app_min_size <= var.app_desired_capacity && var.app_desired_capacity <= var.app_max_size
      error_message = "app_desired_capacity must lie between app_min_size and app_max_size."
    }
  }
}
