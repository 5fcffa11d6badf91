"""AWS through boto3: cloud actions (Auto Scaling, SSM), CloudWatch Logs, SSM parameters and retries."""
