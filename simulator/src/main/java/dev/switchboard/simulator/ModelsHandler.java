package dev.switchboard.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /v1/models}: the fixed {@link SimulatorModels} listing, serialised once. Thread-safe. */
final class ModelsHandler implements Request.Handler {

    static final String PATH = "/v1/models";

    private final byte[] body;

    ModelsHandler() {
        ObjectNode root = SimulatorJson.object();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String name : SimulatorModels.names()) {
            ObjectNode model = data.addObject();
            model.put("id", name);
            model.put("object", "model");
            model.put("created", SimulatorModels.CREATED_EPOCH_SECONDS);
            model.put("owned_by", SimulatorModels.OWNER);
        }
        this.body = root.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        SimulatorJson.write(response, callback, HttpStatus.OK_200, body);
        return true;
    }
}
