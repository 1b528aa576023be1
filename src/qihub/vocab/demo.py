from qihub.vocab.services import classifications_load


def load(stdout=None) -> None:
    summary = classifications_load()
    if stdout:
        stdout.write(f"classifications: {summary.ics} ICS, {summary.ccs} CCS codes")
