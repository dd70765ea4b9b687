"""Guideline use cases called as a script or a notebook would: no app, no request, no HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from guidelines_app.db import make_engine, session_scope
from guidelines_app.services import decisions
from guidelines_app.store import ContentStore

SLUG = "product-review-sentiment"
ROOT = Path(__file__).resolve().parents[2]

#: Imports the guideline feature and nothing else of the app, then saves twice.
SCRIPT = """
import json, sys
from guidelines_app.db import make_engine, session_scope
from guidelines_app.domain.errors import InvalidInput
from guidelines_app.services.guidelines import SectionsStillReferenced, save_guideline
from guidelines_app.store import Author, ContentStore

url, repo, slug, text, cited = sys.argv[1:6]
store = ContentStore(repo)
base = store.head()
answers = {}
for name, body, ids in (("cited", text + "\\nOne more rule.\\n", [int(cited), 999]),
                        ("removed", sys.stdin.read(), [])):
    with session_scope(make_engine(url)) as session:
        try:
            save_guideline(session=session, store=store, slug=slug, text=body, base=base,
                           author=Author("Script", "script@example.org"), message="From a script",
                           decisions=ids)
            answers[name] = {"saved": True}
        except SectionsStillReferenced as error:
            answers[name] = {"referenced": sorted(error.referenced)}
        except InvalidInput as error:
            answers[name] = {"problems": [p.message for p in error.problems]}
answers["web_loaded"] = sorted(m for m in sys.modules if m.startswith("guidelines_app.web"))
answers["head_unchanged"] = store.head() == base
print(json.dumps(answers))
"""


def _record_decision(database_url: str, repo: Path, section_id: str) -> int:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        decision = decisions.create_decision(
            session=session,
            store=ContentStore(repo),
            data=decisions.DecisionInput(
                title="Sarcastic praise",
                ruling="Label the meaning, not the words.",
                rationale="Sarcasm inverts the literal sentiment.",
                guideline=SLUG,
                section_id=section_id,
                ruling_labels=["negative"],
                labels=["positive"],
                tags=[],
            ),
            author_id=None,
        )
    engine.dispose()
    return int(decision.id or 0)


def test_a_plain_script_saving_a_guideline_gets_the_web_forms_refusals(database_url, content_repo):
    cited = _record_decision(database_url, content_repo, "sarcasm")
    text = ContentStore(content_repo).read(f"guidelines/{SLUG}.md").text
    without = re.sub(r"^## Sarcasm and irony \{#sarcasm\}", "## Humour {#humour}", text, flags=re.M)
    assert without != text
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, database_url, str(content_repo), SLUG, text, str(cited)],
        input=without,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    answers = json.loads(result.stdout)
    assert answers["cited"] == {"problems": ["no decision #999"]}
    assert answers["removed"] == {"referenced": ["sarcasm"]}
    assert answers["web_loaded"] == []
    assert answers["head_unchanged"] is True
