"""Errors a person can act on. The command line prints them in one line and exits 2."""


class CorpusValidatorError(Exception):
    """A usage, configuration or I/O problem: the check could not be run as asked."""


class ConfigError(CorpusValidatorError):
    """``[tool.corpus-validator]`` or an ``expectations/`` file is not as documented."""


class SuiteError(CorpusValidatorError):
    """An expectation suite could not be loaded or could not be evaluated."""
