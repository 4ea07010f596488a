"""stylelib: neural style transfer (Gatys et al.) in TensorFlow, built to be read.

Modules: ``vgg19`` (layer table, weights), ``images``, ``samples``, ``losses``, ``graph`` (TF1),
``extractor`` (TF2), ``transfer`` (TF2 engine), ``session`` (TF1 engine), ``viz``, ``widgets``, ``cli``.
Import the submodules you need; importing ``stylelib`` itself does not import TensorFlow.
"""

__version__ = "0.1.0"
