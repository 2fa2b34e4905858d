from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "zongzhi.benchmarks"
    label = "benchmarks"
    verbose_name = "性能基准"
