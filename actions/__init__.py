"""Have Your Say: a conversational assistant for council consultations.

The package is organised by concern:

* ``settings``  - configuration, loaded once from the environment and ``.env``
* ``content``   - consultation and ward YAML: parsing, validation, loading
* ``store``     - SQLAlchemy models, migrations and the repository API
* ``text``      - spaCy pipeline build and text tools
* ``dialogue``  - Rasa custom actions (thin; they call the layers above)
* ``cli``       - the ``haveyoursay`` command
* ``runner``    - ``make run``: starts and supervises every process

Dependencies point inward: dialogue, cli and runner use content/store/text,
never the other way round.
"""
