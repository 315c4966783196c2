"""A deterministic synthetic corpus of project performance reports, with its ground truth.

Three families (current self-evaluation template, older self-evaluation
template, performance target table), three physical forms (tab-separated,
markdown pipes, space-separated PDF text) and the layout quirks of the seeds.
Every file is a pure function of (seed, file index); the truth of every
generated fact is expressed as ``pipeline.records`` objects.

    from pipeline.synthetic import build_corpus, plan, generate_file
"""

from pipeline.synthetic.corpus import Corpus, FilePlan, GeneratedFile, build_corpus, generate_file, plan, sample

__all__ = ["Corpus", "FilePlan", "GeneratedFile", "build_corpus", "generate_file", "plan", "sample"]
