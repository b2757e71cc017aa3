"""The template question's reference: what its checks compare with (``answers``)."""
