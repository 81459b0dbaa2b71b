"""With production settings (a real secret, HTTPS, a real host, SMTP), `kefu check --deploy` is clean."""

import os
import subprocess
import sys


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": "x7Lq2v9WmP4rT8sYz1nB6cD3fG5hJ0kQ-uVaXeR_iOwMpNbCyLtHsKgFdEjZ",
        "SECURE_SSL": "true",
        "ALLOWED_HOSTS": "kefu.example.com",
        "EMAIL_HOST": "smtp.example.com",
        "DEBUG": "false",
        "KEFU_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "kefu.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
