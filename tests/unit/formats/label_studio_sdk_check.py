"""What the Label Studio SDK's own parser makes of labeling configs.

Runs under the SDK's interpreter (``.venv-label-studio``, see the Makefile), never the
app's: the SDK's pins do not fit the app's tested set. Reads a JSON list of cases,
``{"config": xml, "results": [result, ...]}``, on stdin and writes one answer per case
on stdout: the error ``LabelInterface(config).validate()`` raised, or the object and
control tags the SDK found and, for each result, the SDK's complaints about it (an
annotation holding that one result, checked against the config).
"""

import json
import sys

from label_studio_sdk.label_interface import LabelInterface


def check(case: dict) -> dict:
    try:
        interface = LabelInterface(case["config"])
        interface.validate()
    except Exception as error:  # whatever the SDK refuses with is the answer
        return {"error": f"{type(error).__name__}: {error}"}
    return {
        "error": None,
        "objects": {tag.name: tag.tag for tag in interface.objects or ()},
        "controls": [
            {"name": tag.name, "tag": tag.tag, "to_name": tag.to_name, "labels": tag.labels}
            for tag in interface.controls or ()
        ],
        "results": [
            interface.validate_prediction({"result": [result]}, return_errors=True)
            for result in case.get("results", [])
        ],
    }


if __name__ == "__main__":
    json.dump([check(case) for case in json.load(sys.stdin)], sys.stdout)
