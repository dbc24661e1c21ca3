from typing import Any

from django.core.management.base import BaseCommand

from ansinh.demo.services import load_demo


class Command(BaseCommand):
    help = "Load the demo scenario and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        for login in load_demo():
            self.stdout.write(f"  {login.username} / {login.password}  — {login.role}; phạm vi: {login.scope}")
