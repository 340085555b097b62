"""`deterrence schema` prints the config format as a JSON Schema (draft 2020-12). Every shipped
config, resolved through `extends:`, validates against it; every key the reader asks a config for
is in the schema; and every key the schema lists where a config has a map is one the reader asks
for (so neither can drift from the other)."""
import glob
import json
import os
import re
import subprocess

import pytest
import yaml

from analysis.tests.conftest import BINARY, ROOT

jsonschema = pytest.importorskip("jsonschema")

SHIPPED = sorted(glob.glob(os.path.join(ROOT, "configs", "*.yaml")) +
                 glob.glob(os.path.join(ROOT, "configs", "experiments", "*.yaml")))


class Loader(yaml.SafeLoader):
    """`show` prints the resolved config; the !replace and !delete tags are already applied."""


def schema():
    text = subprocess.run([BINARY, "schema"], check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def resolved(config):
    text = subprocess.run([BINARY, "show", config], check=True, capture_output=True, text=True).stdout
    return yaml.load(text, Loader=Loader)


def keys_read(config):
    run = subprocess.run([BINARY, "validate", config, "--keys"], check=True, capture_output=True, text=True)
    return [line for line in run.stdout.splitlines() if line]


def split(path):
    """"a.b[2].c" -> ["a", "b", 2, "c"] (indices of lists as ints)."""
    parts = []
    for piece in path.split("."):
        m = re.fullmatch(r"([^\[]*)((?:\[\d+\])*)", piece)
        if m.group(1):
            parts.append(m.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    return parts


def follow(root, node):
    while isinstance(node, dict) and "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def children(root, node, key):
    """The schemas `key` may have below `node` ([] if the schema does not allow it)."""
    node = follow(root, node)
    if not isinstance(node, dict):
        return []
    found = []
    if isinstance(key, int):
        if isinstance(node.get("items"), dict):
            found.append(node["items"])
    elif key in node.get("properties", {}):
        found.append(node["properties"][key])
    else:
        for pattern, sub in node.get("patternProperties", {}).items():
            if re.search(pattern, key):
                found.append(sub)
        if not found and isinstance(node.get("additionalProperties"), dict):
            found.append(node["additionalProperties"])
    for combination in ("oneOf", "anyOf", "allOf"):
        for sub in node.get(combination, []):
            found += children(root, sub, key)
    for branch in ("then", "else"):
        if branch in node:
            found += children(root, node[branch], key)
    return found


def allowed(root, path):
    frontier = [root]
    for key in split(path):
        frontier = [child for node in frontier for child in children(root, node, key)]
        if not frontier:
            return False
    return True


def listed_keys(root, node):
    """The named properties a map schema lists (through $ref, combinations and if/then)."""
    node = follow(root, node)
    names = set(node.get("properties", {})) if isinstance(node, dict) else set()
    if isinstance(node, dict):
        for combination in ("allOf",):
            for sub in node.get(combination, []):
                names |= listed_keys(root, sub)
    return names


def test_the_schema_is_a_valid_json_schema():
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["type"] == "object" and s["additionalProperties"] is False
    for key in ("extends", "model", "draws", "seed", "chunk_size", "records", "parameters", "correlations",
                "model_options", "design", "sweep", "description"):
        assert "description" in s["properties"][key], key


@pytest.mark.parametrize("config", SHIPPED, ids=[os.path.relpath(c, ROOT) for c in SHIPPED])
def test_every_shipped_config_validates(config):
    jsonschema.validate(resolved(config), schema())


def test_the_schema_refuses_what_the_reader_refuses(tmp_path):
    s = schema()
    validator = jsonschema.Draft202012Validator(s)
    good = resolved(os.path.join(ROOT, "configs", "ishigami.yaml"))
    for bad in ({"drawz": 10}, {"draws": 0}, {"model": "nonsense"}, {"chunk_size": 2**25},
                {"design": {"kind": "grid"}}):
        config = dict(good, **bad)
        assert list(validator.iter_errors(config)), bad
        path = tmp_path / "bad.yaml"
        path.write_text(yaml.safe_dump(config))
        assert subprocess.run([BINARY, "validate", str(path)], capture_output=True).returncode == 2, bad


def extra_configs(tmp_path):
    """Configs with the maps the shipped ones lack (a design, correlations)."""
    ishigami = os.path.join(ROOT, "configs", "ishigami.yaml")
    sobol = tmp_path / "sobol.yaml"
    sobol.write_text(f"extends: {ishigami}\ndraws: 8192\nchunk_size: 1024\n"
                     "design: {kind: sobol, replicates: 2, scramble_seed: 5}\n"
                     "correlations:\n  - parameters: [x1, x2]\n    matrix: [[1, 0.3], [0.3, 1]]\n")
    return [str(sobol)]


def test_the_reader_and_the_schema_know_the_same_keys(tmp_path):
    s = schema()
    configs = SHIPPED + extra_configs(tmp_path)
    read_anywhere = set()
    for config in configs:
        read = keys_read(config)
        missing = [path for path in read if not allowed(s, path)]
        assert not missing, f"{config}: the reader accepts keys the schema lacks: {missing}"
        read_anywhere |= set(read)
    # The reverse: where a config has a map, every key the schema lists there is one the reader
    # asks for (the reader asks for every key it accepts, present or not).
    unread = []
    for config in configs:
        tree = resolved(config)
        read = set(keys_read(config))

        def visit(node_schemas, value, path):
            if not isinstance(value, dict):
                return
            for schema_node in node_schemas:
                for key in listed_keys(s, schema_node):
                    full = f"{path}.{key}" if path else key
                    if full not in read:
                        unread.append(full)
            for key, sub in value.items():
                full = f"{path}.{key}" if path else key
                visit([c for n in node_schemas for c in children(s, n, key)], sub, full)

        visit([s], tree, "")
    # Distribution parameters depend on the kind (a lognormal is never asked for a 'mode'), and
    # sweep keys are key paths: both are free of this check.
    unread = sorted({u for u in unread if not re.search(r"^(parameters|sweep)\.|\.(absorption|derisking|resilience|"
                                                         r"treaty_penalty)\.", u)})
    assert not unread, f"the schema lists keys the reader never asks for: {unread}"
