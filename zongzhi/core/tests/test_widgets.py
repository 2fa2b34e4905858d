"""QuickSelect writes what Django's own Select template writes."""

from django import forms
from hypothesis import given
from hypothesis import strategies as st

from zongzhi.core.widgets import QuickSelect

labels = st.text(min_size=0, max_size=12)


@given(
    choices=st.lists(st.tuples(st.text(max_size=6), labels), max_size=6, unique_by=lambda c: c[0]),
    grouped=st.lists(st.tuples(st.text(max_size=6), labels), max_size=3, unique_by=lambda c: c[0]),
    group=labels,
    chosen=st.text(max_size=6),
)
def test_quick_select_renders_as_djangos_select(
    choices: list[tuple[str, str]], grouped: list[tuple[str, str]], group: str, chosen: str
) -> None:
    options = [*choices, (group, grouped)] if grouped and group else choices
    attrs = {"id": "id_f", "class": 'a"b<c', "required": True, "disabled": False}
    theirs = forms.Select(choices=options).render("f", chosen, attrs)
    mine = QuickSelect(choices=options).render("f", chosen, attrs)
    assert mine == theirs


def test_a_label_cannot_break_out_of_its_option() -> None:
    html = QuickSelect(choices=[("1", "<script>x</script>")]).render("f", "1")
    assert "<script>" not in html and "&lt;script&gt;" in html
