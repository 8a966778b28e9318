"""Read consultation and council YAML files safely, with one-line errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import Consultation, CouncilFile
from .validate import ContentError, Problem, validate_consultation, validate_council_file

MAX_FILE_BYTES = 1_000_000  # a real consultation is a few kilobytes; anything huge is a mistake


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML would silently keep the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files as given; directories become their *.yml and *.yaml files, sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file()))
        else:
            files.append(path)
    return files


def read_yaml(path: Path) -> Any:
    """Parse one file, raising ContentError with a one-line reason."""
    source = str(path)
    if not path.exists():
        raise ContentError([Problem(source, "", "file not found")])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ContentError(
            [Problem(source, "", f"file is {size / 1_000_000:.1f} MB; the limit is {MAX_FILE_BYTES // 1_000_000} MB")]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError([Problem(source, "", "file is not UTF-8 text")]) from None
    return parse_yaml(text, source)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text (a file's, or pasted into the portal) with the same strict rules as files."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ContentError([Problem(source, "", f"the text is over the {MAX_FILE_BYTES // 1_000_000} MB limit")])
    if not text.strip():
        raise ContentError([Problem(source, "", "file is empty")])
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ContentError([Problem(source, "", f"invalid YAML{where}: {problem}")]) from None


def is_council_file(document: Any) -> bool:
    return isinstance(document, dict) and "wards" in document and "council" in document


@dataclass
class ContentBundle:
    """Everything read from a set of files, validated and cross-checked."""

    council: CouncilFile | None = None
    consultations: list[Consultation] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # consultation slug -> file


def read_bundle(paths: list[str | Path], known_wards: set[str]) -> ContentBundle:
    """Read and validate every file; raise ContentError listing all problems in all files.

    Council (wards) files are validated first so consultations may refer to
    wards defined in the same load as well as those already in the store.
    """
    files = expand_paths(paths)
    problems: list[Problem] = []
    if not files:
        raise ContentError([Problem(", ".join(map(str, paths)) or "(no paths)", "", "no .yml or .yaml files found")])
    documents: list[tuple[Path, Any]] = []
    for path in files:
        try:
            documents.append((path, read_yaml(path)))
        except ContentError as error:
            problems.extend(error.problems)

    bundle = ContentBundle()
    council_sources: list[str] = []
    for path, document in documents:
        if is_council_file(document):
            council_sources.append(str(path))
            try:
                bundle.council = validate_council_file(document, str(path))
            except ContentError as error:
                problems.extend(error.problems)
    if len(council_sources) > 1:
        problems.append(
            Problem(council_sources[1], "", f"a second council file; only one is allowed per load (first: {council_sources[0]})")
        )
    wards = set(known_wards)
    if bundle.council:
        wards |= {ward.slug for ward in bundle.council.wards}

    for path, document in documents:
        if is_council_file(document):
            continue
        try:
            consultation = validate_consultation(document, str(path), known_wards=wards)
        except ContentError as error:
            problems.extend(error.problems)
            continue
        if consultation.slug in bundle.sources:
            problems.append(
                Problem(str(path), "slug", f"duplicate slug {consultation.slug!r} (also in {bundle.sources[consultation.slug]})")
            )
            continue
        bundle.sources[consultation.slug] = str(path)
        bundle.consultations.append(consultation)

    if problems:
        raise ContentError(problems)
    return bundle
