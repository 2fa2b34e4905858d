"""manage.py bench_suggestions: intake intelligence measured without a database.

- accuracy: N case texts generated from the demo's templates (zongzhi.demo), a held-out
  fifth; and, out of template, the 74 hand-written texts of intake/tests/duplicates.json;
- duplicates: recall and false alarms on that hand-written set;
- latency: one suggestion's work (classify, urgency, score against a full pool of
  POOL_LIMIT candidates whose words are kept) — the database reads are not in it;
- training time at N (fit on four fifths, then again on all, as train_suggestions does).
"""

import json
import random
import statistics
import time
import types
from typing import Any

from django.core.management.base import BaseCommand

from zongzhi.categories.seed import CATEGORIES
from zongzhi.demo import cases as demo
from zongzhi.demo.case_texts import TEXTS
from zongzhi.intake import rules, selectors, services
from zongzhi.intake.measure import SET, measure_duplicates

VILLAGES = ["青龙村", "盘溪村", "华溪村", "通红甸村", "宁州社区", "海关村"]


def generated(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)  # noqa: S311 - test data
    weights = [t.weight for t in TEXTS]
    texts, labels = [], []
    for _ in range(n):
        t = rng.choices(TEXTS, weights=weights)[0]
        village = types.SimpleNamespace(name=rng.choice(VILLAGES))
        values = demo._values(rng, t, village, village)  # type: ignore[arg-type]
        values["n"] = str(rng.randint(*t.people))
        values["detail"] = demo._fill(rng.choice(t.details), values)
        texts.append(f"{demo._fill(t.title, values)}。{demo._fill(t.description, values)}")
        labels.append(t.code)
    return texts, labels


class Command(BaseCommand):
    help = "测量受理建议：分类准确率、重复识别、延迟和训练用时"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--cases", type=int, default=20_000)
        parser.add_argument("--requests", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["cases"]
        parents = {c: p for p, _n, children in CATEGORIES for c, _m in children}
        texts, labels = generated(n)
        marks = services._held_out(n)
        train = [i for i, m in enumerate(marks) if not m]
        test = [i for i, m in enumerate(marks) if m]
        started = time.perf_counter()
        model = services._pipeline().fit([texts[i] for i in train], [labels[i] for i in train])
        fit = time.perf_counter() - started
        held_texts, held_labels = [texts[i] for i in test], [labels[i] for i in test]
        held = services.evaluate(model, held_texts, held_labels, parents)
        started = time.perf_counter()
        services._pipeline().fit(texts, labels)
        refit = time.perf_counter() - started
        hand = json.loads(SET.read_text(encoding="utf-8"))
        rows = [r for part in ("existing", "same", "near") for r in hand[part]]
        known = [r for r in rows if r["category"] in set(model.classes_)]
        outside = services.evaluate(
            model,
            [f"{r['title']}。{r['description']}" for r in known],
            [r["category"] for r in known],
            parents,
        )
        dup = measure_duplicates()
        dup_free = measure_duplicates(with_category=False)
        latency = self._latency(model, texts, options["requests"])
        out = {
            "cases": n,
            "held_out": {k: held[k] for k in ("held_out", "top1_top_level", "top1", "top3")},
            "hand_written": {k: outside[k] for k in ("held_out", "top1_top_level", "top1", "top3")},
            "duplicates": {
                "recall": round(dup.recall, 3),
                "false_alarms": round(dup.false_alarms, 3),
                "recall_without_category": round(dup_free.recall, 3),
                "false_alarms_without_category": round(dup_free.false_alarms, 3),
            },
            "train_seconds": {"four_fifths": round(fit, 1), "all": round(refit, 1)},
            "latency_ms": latency,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))

    def _latency(self, model: Any, texts: list[str], requests: int) -> dict[str, float]:
        rng = random.Random(3)  # noqa: S311 - test data
        pool_texts = texts[: selectors.POOL_LIMIT]
        pool = [
            rules.Report(
                words=rules.words(t),
                place=f"530424001{rng.randint(1, 9):03d}",
                phones=frozenset([f"139{rng.randint(0, 99999999):08d}"]),
                category="LLJF01",
                parent="LLJF",
            )
            for t in pool_texts
        ]
        times = []
        for t in texts[-requests:]:
            started = time.perf_counter()
            model.predict_proba([t])
            rules.urgency_flags(t)
            new = rules.Report(words=rules.words(t), place="530424001001", phones=frozenset())
            rules.rank(new, pool)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        return {
            "p50": round(statistics.median(times), 1),
            "p95": round(times[int(len(times) * 0.95) - 1], 1),
            "max": round(times[-1], 1),
        }
