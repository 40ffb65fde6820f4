package dev.caravan.workflows;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Epoch seconds as a plain decimal with millisecond precision ({@code 1796044922.723}), as Python's
 * {@code time.time()} prints in the seed plan's API; Jackson's default for a double of that size is
 * exponent form ({@code 1.796044922723E9}), valid JSON that clients and people read badly.
 */
public final class EpochSecondsSerializer extends StdSerializer<Double> {

    public EpochSecondsSerializer() { super(Double.class); }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        if (value == null || value.isNaN() || value.isInfinite()) {
            gen.writeNull();
            return;
        }
        gen.writeNumber(BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).toPlainString());
    }
}
