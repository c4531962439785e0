"""A card's reference face in the preview: cropped to the face the picture shows, blended in with a soft edge."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from generator.preview.figures import face_crop, feathered_oval

SKIN = (224, 172, 140)
BACKDROP = (40, 70, 160)


def portrait(face_box: tuple[int, int, int, int], size: tuple[int, int] = (400, 300)) -> np.ndarray:
    """A blue picture (width x height) with a skin-toned oval where the face is."""
    image = Image.new("RGB", size, BACKDROP)
    ImageDraw.Draw(image).ellipse(face_box, fill=SKIN)
    return np.asarray(image)


def test_the_crop_is_a_square_around_an_off_centre_face() -> None:
    picture = portrait((260, 40, 340, 140))  # a face in the upper right of a landscape picture
    crop = face_crop(picture)
    assert crop.shape[0] == crop.shape[1]
    skin = np.all(crop == SKIN, axis=-1)
    rows, cols = np.nonzero(skin)
    centre = np.array(crop.shape[:2]) / 2
    assert abs(rows.mean() - centre[0]) < 0.1 * crop.shape[0] and abs(cols.mean() - centre[1]) < 0.1 * crop.shape[1]
    assert 0.25 < skin.mean() < 0.75  # the face fills the crop, with some room around it


def test_a_picture_without_a_face_falls_back_to_the_top_centred_square() -> None:
    picture = np.zeros((300, 200, 3), dtype=np.uint8)
    picture[:100] = 255  # a white band at the top: no skin tones anywhere
    crop = face_crop(picture)
    assert crop.shape[:2] == (200, 200) and (crop[:100] == 255).all()


def test_the_oval_mask_is_feathered() -> None:
    mask = np.asarray(feathered_oval((80, 100)))
    assert mask[50, 40] == 255 and mask[0, 0] == 0
    edge = mask[50, :20]  # from the left border towards the centre
    assert ((edge > 10) & (edge < 245)).sum() >= 3  # a gradient, not a hard step
    assert np.all(np.diff(edge.astype(int)) >= 0)
