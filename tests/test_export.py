"""Reading exports: Gradescope's zip, the zip unzipped, a plain folder; and every way an
export can be malformed, each ending in a clear sentence, never in silence."""

import os
import zipfile
from pathlib import Path

import pytest

from autograder.export import ExportError, Submitter, read_export, read_metadata, unpack
from autograder.sandbox.isolation import remove_tree

METADATA = """\
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '001'
    :email: ada@example.edu
  :created_at: 2019-12-18 10:00:00.000000000 -05:00
  :score: 12.0
submission_102: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
  :submitters:
  - :name: Alan Turing
    :sid: '002'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '003'
    :email: grace@example.edu
submission_103:
  :submitters:
  - :name: Nobody Uploaded
    :sid: '004'
    :email: nobody@example.edu
"""


def make_zip(path, entries):
    """Write a zip of ``{name: text}``; a value that is a ZipInfo-ready tuple sets attributes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            if isinstance(content, tuple):
                mode, text = content
                info = zipfile.ZipInfo(name)
                info.external_attr = mode << 16
                archive.writestr(info, text)
            else:
                archive.writestr(name, content)
    return path


def by_id(export):
    return {s.submission_id: s for s in export.submissions}


def test_gradescope_zip_gives_ids_names_and_emails(tmp_path):
    export_zip = make_zip(
        tmp_path / "export.zip",
        {
            "assignment_7_export/submission_metadata.yml": METADATA,
            "assignment_7_export/submission_101/we_recur.py": "A = 1\n",
            "assignment_7_export/submission_102/we_recur.py": "B = 2\n",
            "assignment_7_export/submission_102/helpers.py": "C = 3\n",
        },
    )
    export = read_export(export_zip, tmp_path / "scratch")
    found = by_id(export)
    assert sorted(found) == ["101", "102", "103"]
    assert export.has_metadata
    assert found["101"].submitters == (Submitter("Ada Lovelace", "001", "ada@example.edu"),)
    assert [p.email for p in found["102"].submitters] == ["alan@example.edu", "grace@example.edu"]
    assert (found["102"].path / "helpers.py").read_text() == "C = 3\n"
    assert found["101"].problems == () and found["102"].problems == ()
    # listed in the metadata, but no folder: still a submission, with nothing to grade
    assert found["103"].path is None
    assert "holds no files" in found["103"].problems[0]
    assert found["103"].submitters[0].name == "Nobody Uploaded"


def test_unzipped_export_reads_the_same_as_the_zip(tmp_path):
    top = tmp_path / "unzipped" / "assignment_7_export"
    (top / "submission_101").mkdir(parents=True)
    (top / "submission_metadata.yml").write_text(METADATA)
    (top / "submission_101" / "we_recur.py").write_text("A = 1\n")
    for given in (tmp_path / "unzipped", top):  # the folder around it, or the export folder itself
        found = by_id(read_export(given, tmp_path / "scratch"))
        assert sorted(found) == ["101", "102", "103"]
        assert found["101"].path == top / "submission_101"
        assert found["102"].path is None


def test_plain_folder_one_entry_per_student(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "we_recur.py").write_text("")
    (tmp_path / "bob.py").write_text("")
    (tmp_path / "carol.ipynb").write_text("{}")
    (tmp_path / "notes.txt").write_text("not a submission")
    (tmp_path / ".hidden").mkdir()
    export = read_export(tmp_path, tmp_path / "unused")
    found = by_id(export)
    assert sorted(found) == ["alice", "bob", "carol"]
    assert found["bob"].path == tmp_path / "bob.py"
    assert not export.has_metadata
    assert any("notes.txt" in w and "Ignored" in w for w in export.warnings)


def test_weird_names_become_unique_safe_ids(tmp_path):
    for name in ("a b", "a?b", "ünï cödé", "x..", "submission_", "-x", "=cmd|' /C calc'!A0"):
        (tmp_path / "export" / name).mkdir(parents=True)
    (tmp_path / "export" / "a_b.py").write_text("")
    found = by_id(read_export(tmp_path / "export", tmp_path))
    assert len(found) == 8
    for submission_id in found:
        assert submission_id and submission_id[0].isalnum(), submission_id
        assert all(c.isalnum() or c in "._-" for c in submission_id), submission_id
    assert len({i.lower() for i in found}) == 8


def test_names_beyond_ascii_keep_their_letters_and_their_original(tmp_path):
    for name in ("José Ñúñez", "José Ñúñes", "José Ñúñez!", "李小龙"):
        (tmp_path / "export" / name).mkdir(parents=True)
    found = by_id(read_export(tmp_path / "export", tmp_path))
    assert {i: s.source for i, s in found.items()} == {
        "José_Ñúñez": "José Ñúñez", "José_Ñúñes": "José Ñúñes", "José_Ñúñez-2": "José Ñúñez!", "李小龙": "李小龙",
    }


def test_zip_slip_links_and_corrupt_files_are_not_unpacked_and_are_reported(tmp_path):
    export_zip = make_zip(
        tmp_path / "export.zip",
        {
            "export/submission_metadata.yml": METADATA,
            "export/submission_101/we_recur.py": "A = 1\n" * 200,
            "export/submission_101/link.py": (0o120777, "/etc/passwd"),
            "export/submission_102/../../../escaped.py": "boom",
            "../../outside.py": "boom",
            "/absolute.py": "boom",
            "export/submission_102/we_recur.py": "B = 2\n" * 200,
        },
    )
    corrupt_member(export_zip, "export/submission_102/we_recur.py")
    scratch = tmp_path / "scratch"
    export = read_export(export_zip, scratch)
    found = by_id(export)
    # nothing was written outside the scratch folder, and no link was created
    assert not (tmp_path / "outside.py").exists() and not Path("/absolute.py").exists()
    assert not any(p.name == "escaped.py" for p in tmp_path.rglob("*"))
    assert not any(p.is_symlink() for p in scratch.rglob("*"))
    assert (found["101"].path / "we_recur.py").is_file()
    assert any("link.py" in p and "symbolic link" in p for p in found["101"].problems)
    assert not (found["102"].path / "we_recur.py").exists()
    assert any("we_recur.py" in p and "corrupt" in p for p in found["102"].problems)
    assert any("escaped.py" in p and "leaves the export folder" in p for p in found["102"].problems)
    # entries outside every submission are reported for the export as a whole
    assert any("outside.py" in w for w in export.warnings)
    assert any("absolute.py" in w for w in export.warnings)


def corrupt_member(zip_path, name):
    """Flip bytes in the compressed data of one member, so its CRC check fails."""
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo(name)
    data = bytearray(zip_path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + 12):
        data[offset] ^= 0xFF
    zip_path.write_bytes(bytes(data))


def test_symlinks_in_a_folder_export_are_not_followed(tmp_path):
    (tmp_path / "export" / "alice").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "we_recur.py").write_text("")
    os.symlink(tmp_path / "elsewhere", tmp_path / "export" / "mallory")
    os.symlink(tmp_path / "elsewhere" / "we_recur.py", tmp_path / "export" / "alice" / "we_recur.py")
    found = by_id(read_export(tmp_path / "export", tmp_path))
    assert found["mallory"].path is None
    assert "symbolic link" in found["mallory"].problems[0]
    assert any("we_recur.py" in p and "symbolic link" in p for p in found["alice"].problems)


def test_a_tree_deeper_than_the_recursion_limit_is_read(tmp_path):
    (tmp_path / "export" / "alice").mkdir(parents=True)
    fd = os.open(tmp_path / "export" / "alice", os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(1200):  # deeper than Python's recursion limit
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.symlink("/etc/shadow", "link.py", dir_fd=fd)
    os.close(fd)
    try:
        (alice,) = read_export(tmp_path / "export", tmp_path).submissions
        (problem,) = alice.problems  # the link at the bottom, its long path shortened
        assert problem.startswith("`d/d/d/") and problem.endswith("…` is a symbolic link; links are not followed.")
    finally:
        remove_tree(tmp_path / "export")


def test_names_that_are_not_utf8_are_shown_replaced(tmp_path):
    export = os.fsencode(tmp_path / "export")
    os.makedirs(export + b"/caf\xe9")
    Path(os.fsdecode(export + b"/caf\xe9/we_recur.py")).write_text("")
    os.symlink("we_recur.py", export + b"/caf\xe9/l\xff.py")
    Path(os.fsdecode(export + b"/notes\xff.txt")).write_text("")
    os.symlink(export + b"/caf\xe9", export + b"/m\xe9")
    read = read_export(tmp_path / "export", tmp_path)
    found = by_id(read)
    assert found["caf"].path == Path(os.fsdecode(export + b"/caf\xe9"))
    assert found["caf"].problems == ("`l\ufffd.py` is a symbolic link; links are not followed.",)
    assert found["m"].path is None and found["m"].problems == ("`m\ufffd` is a symbolic link; links are not followed.",)
    assert read.warnings == ("Ignored `notes\ufffd.txt`: a file per student must be a .py or .ipynb file.",)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("export.bin", b"this is not a zip", "neither a folder nor a zip"),
        ("export.zip", b"this is not a zip", "not a readable zip"),
        ("export.zip", b"PK\x05\x06" + b"\0" * 10, "not a readable zip"),
    ],
)
def test_unreadable_export_raises_a_clear_error(tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    with pytest.raises(ExportError, match=message):
        read_export(bad, tmp_path / "scratch")


def test_missing_export_raises(tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        read_export(tmp_path / "nope.zip", tmp_path)


def test_truncated_zip_is_not_readable(tmp_path):
    good = make_zip(tmp_path / "good.zip", {"export/submission_1/we_recur.py": "x = 1\n" * 1000})
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ExportError):
        read_export(truncated, tmp_path / "scratch")


def test_export_without_metadata_warns_and_still_grades_every_folder(tmp_path):
    for number in (5, 6):
        (tmp_path / "export" / f"submission_{number}").mkdir(parents=True)
    export = read_export(tmp_path / "export", tmp_path)
    assert sorted(by_id(export)) == ["5", "6"]
    assert any("no submission_metadata.yml" in w for w in export.warnings)


def test_metadata_problems_are_reported_not_fatal(tmp_path):
    bad = tmp_path / "submission_metadata.yml"
    bad.write_text("submission_1:\n  :submitters: [\n")
    found, warnings = read_metadata(bad)
    assert found == {} and "not valid YAML (line" in warnings[0]
    bad.write_text("submission_1:\n  :score: 3\n")
    found, warnings = read_metadata(bad)
    assert found == {"submission_1": ()} and "no list of submitters" in warnings[0]


def test_folder_not_in_metadata_is_graded_and_flagged(tmp_path):
    top = tmp_path / "export"
    (top / "submission_101").mkdir(parents=True)
    (top / "submission_999").mkdir()
    (top / "submission_metadata.yml").write_text(METADATA)
    found = by_id(read_export(top, tmp_path))
    assert found["999"].path == top / "submission_999"
    assert "not listed" in found["999"].problems[0]


def test_unpack_skips_oversized_files(tmp_path, monkeypatch):
    monkeypatch.setattr("autograder.export.MAX_FILE_BYTES", 10)
    archive = make_zip(tmp_path / "a.zip", {"s/big.py": "x" * 100, "s/small.py": "x"})
    problems = unpack(archive, tmp_path / "out")
    assert (tmp_path / "out" / "s" / "small.py").exists()
    assert not (tmp_path / "out" / "s" / "big.py").exists()
    assert "limit" in problems["s/big.py"]
