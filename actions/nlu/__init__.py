"""The NLU components and the dialogue policy named in config.yml: Rasa's own, doing less per message.

Rasa lets a project name its own components and policies in config.yml; these subclass Rasa's
and change only what they compute at inference, never what they learn, so a model trained with
them is the one Rasa's own classes would train, and the intents and confidences are the same
(tests/test_nlu_components.py). Each speed-up follows ``HYS_SPEEDUPS`` and the Rasa version check
in actions/speedups.py: switched off, or on another Rasa release, each class is exactly Rasa's.
"""
