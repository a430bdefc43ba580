"""The default schedule of the supervision jobs, editable in the admin afterwards
(django-celery-beat's database scheduler). Each job runs daily and only adds what is
missing: the month's dispatches appear on the 1st, the quarter's plans on its first
day, and a day the site was down is made up the day after."""

from django.db import migrations

SCHEDULE = [
    ("督查：月调度（上月汇总）", "supervision.tasks.compile_dispatches", "10", "1"),
    ("督查：季督查计划（本季度抽样）", "supervision.tasks.plan_inspections", "20", "1"),
    ("督查：每日提醒", "supervision.tasks.send_reminders", "0", "8"),
]
TIME_ZONE = "Asia/Shanghai"


def add(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone=TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=[task for _n, task, _m, _h in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add, remove)]
