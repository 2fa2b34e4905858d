"""manage.py generate_province --cases N: a synthetic province for benchmarks."""

import os
from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zongzhi.benchmarks.province import Phase, generate_province


class Command(BaseCommand):
    help = "生成基准测试用的模拟省份（100个县）及N件事项、隐患、排查和特殊人群档案。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="事项数")
        parser.add_argument("--counties", type=int, default=100, help="县数（默认100）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的数据")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="写入事项的进程数（PostgreSQL；默认为CPU核数，最多2）：数据与进程数无关",
        )
        parser.add_argument(
            "--indexes",
            choices=["auto", "rebuild", "keep"],
            default="auto",
            help="事项表的普通索引：装载后重建（rebuild）、装载时保持（keep）或按数量自动选择（auto）",
        )

    def handle(
        self,
        *args: Any,
        cases: int,
        counties: int,
        seed: int,
        indexes: str,
        workers: int,
        **options: Any,
    ) -> None:
        started = perf_counter()

        def report(phase: Phase) -> None:
            rows = sum(phase.rows.values())
            rate = f"{rows / phase.seconds:,.0f} rows/s" if rows and phase.seconds else ""
            detail = ", ".join(f"{name} {n:,}" for name, n in phase.rows.items())
            server = "" if phase.server_cpu is None else f" + server {phase.server_cpu:.1f}"
            self.stdout.write(
                f"{phase.name:<12} {phase.seconds:7.1f} s  {rate:>16}  "
                f"(cpu: client {phase.client_cpu:.1f}{server})  {detail}"
            )

        phases = generate_province(
            cases=cases,
            counties=counties,
            seed=seed,
            report=report,
            rebuild_indexes={"auto": None, "rebuild": True, "keep": False}[indexes],
            workers=workers,
        )
        rows = sum(sum(p.rows.values()) for p in phases)
        total = perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"total      {total:8.1f} s  {rows / total:>10,.0f} rows/s  {rows:,} rows"
            )
        )
